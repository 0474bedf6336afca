"""Leaderboards over results files (reads results, never runs models): tables, significance, compare.

Filled by the leaderboard issue; the package exists now because the install layout maps it to
`xlt_bench.leaderboard`.
"""
