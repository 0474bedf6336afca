"""Leaderboards over results files: it reads runs and published baselines, never runs a model.

`runs` loads them, `significance` holds the paired bootstrap, `table` builds the board (runs grouped by base model,
intermediate-trained runs against their direct run), `render`/`render_html` format it, `compare` is the CI gate.
"""
