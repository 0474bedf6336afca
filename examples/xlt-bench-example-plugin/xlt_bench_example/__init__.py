"""An example xlt-bench plugin: a one-task suite whose data ships inside the package (see `plugin.py`)."""
