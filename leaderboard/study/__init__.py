"""`xlt-bench study`: from a set of run folders to the answers intermediate-task research asks, with intervals.

`design` says which runs to compare (a YAML/JSON file, flags, or the designs found in the runs' lineage), `analysis`
computes every estimate from one joint paired bootstrap per (task, language) (`statistics`), `report` is the typed
`study.json`, and `render_markdown` / `render_html` format it.
"""
