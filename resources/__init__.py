"""The data MinePivot ships: the equipment catalog, the example project and the icons.

Installed, this folder is the package ``minepivot_resources`` (see ``pyproject.toml``); code
reads it through ``core.resources.resource_path``, never by its own path."""
