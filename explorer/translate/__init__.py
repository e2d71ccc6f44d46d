"""Translations out and in: per-language status, gettext PO export/import,
glossary checks.

    from explorer.translate import summary, export_po, import_po, load_glossary, check_glossary
    summary(Store().list(), version=None)        # {"annotations", "by_lang": {lang: {current, missing, stale}}}
    export_po(Store(), "en.po", to="en")          # msgctxt = id, msgid = source, msgstr = translation
    import_po(Store(), "en.po")                   # applies translated non-fuzzy entries
    check_glossary(Store().list(), load_glossary())
    check_wording(Store().list(), load_avoid())  # spellings the glossary says to avoid
"""
from .glossary import Avoid, Term, check_wording, load_avoid, load_glossary
from .glossary import check as check_glossary
from .po import ExportReport, ImportReport, build_po, export_po, import_po, read_po
from .status import LangState, states, summary

__all__ = ["summary", "states", "LangState", "export_po", "import_po", "build_po", "read_po",
           "ExportReport", "ImportReport", "load_glossary", "check_glossary", "Term",
           "Avoid", "load_avoid", "check_wording"]
