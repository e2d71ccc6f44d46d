"""The statement vocabulary of the tree, in one place: which node types are
statements a note is pinned to, and which the reader's pointer outlines."""
from __future__ import annotations

# Statements: what a note can be pinned to (anchors) and a click selects.
STATEMENT_KINDS = frozenset({
    "expression_statement", "if_statement", "return_statement", "goto_statement",
    "labeled_statement", "declaration", "for_statement", "while_statement", "do_statement",
    "switch_statement", "case_statement", "break_statement", "continue_statement",
})
# Containers and file-level items: outlined under the pointer too, but a note
# placed inside them climbs to the enclosing statement.
CONTAINER_KINDS = frozenset({
    "else_clause", "compound_statement", "function_definition", "struct_specifier",
    "preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif", "preproc_call", "preproc_def",
    "preproc_function_def", "preproc_include",
})
OUTLINE_KINDS = STATEMENT_KINDS | CONTAINER_KINDS
