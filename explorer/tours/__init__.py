"""Tours: ordered reading paths through fork.c that follow the code into any version.

    from explorer.tours import TourStore, place
    store = TourStore()                     # kernel-src/tours (see explorer.paths.tours_dir)
    tour = store.get("kernel-clone")        # Tour(id, title {lang}, written_against, stops)
    place(tour, explorer.load("debian-6.12"))   # [StopPlace(index, status, label, function, line, ...)]
    store.set_stop_text("kernel-clone", 2, "en", "...")   # one atomic, conflict-checked save

A stop is anchored like an annotation (explorer.anchors); the files are written
through the annotation store's one checked writer (save_checked).
"""
from .model import Stop, Tour
from .place import StopPlace, check_functions, place, place_stop
from .store import TourStore

__all__ = ["Tour", "Stop", "TourStore", "StopPlace", "place", "place_stop", "check_functions"]
