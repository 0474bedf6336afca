"""xlt-bench: zero-shot cross-lingual transfer benchmarks as pluggy plugins.

Plugin authors need `hookimpl` and the metadata types in `xlt_bench.tasks`; see `xlt_bench.hookspecs` for the
hook reference. Importing this package is cheap: it never imports torch, transformers, datasets or faiss.
"""

from xlt_bench.hookspecs import HOOK_API, hookimpl

__version__ = "0.1.0"
__all__ = ["HOOK_API", "__version__", "hookimpl"]
