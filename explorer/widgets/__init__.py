"""Jupyter widgets of the reading room (ipywidgets; anywidget for the custom
front ends in *.js).  Widgets render data produced elsewhere (Module, Trace,
annotations, diff); they never re-implement kernel logic."""
from .app import App
from .source_view import SourceView
from .version_picker import VersionPicker

__all__ = ["App", "SourceView", "VersionPicker"]
