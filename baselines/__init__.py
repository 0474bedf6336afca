"""Published reference results, shown beside measured runs: one JSON file per entry.

Each file names its source (paper, table, split) and is marked published, not measured here. A number that could
not be verified in a source is left out, and the file's notes say so: never fill a gap with a guess. Format:
`{"name", "base", "intermediate": [...], "suite", "source": {"paper", "table", "split", "notes": [...]},
"tasks": {task: {metric: value x100}}}`. Use them with `xlt-bench leaderboard ... --baselines xlmr_large_xtreme` or
as the baseline of `xlt-bench compare`.
"""
