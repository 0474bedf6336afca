"""`python -m xlt_bench ...` runs the command line (as `torchrun -m xlt_bench` and `accelerate launch -m` need)."""

import sys

from xlt_bench.cli import main

sys.exit(main())
