"""Published reference results (data files with their sources), shown beside measured runs.

Filled by the leaderboard issue; the package exists now because the install layout maps it to
`xlt_bench.baselines`.
"""
