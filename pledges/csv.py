"""The one defence of every CSV this site writes against spreadsheet formulas.

A spreadsheet reads a cell starting with =, +, -, @, a tab or a carriage return as a
formula: such a cell is prefixed with an apostrophe, so that a candidate's list name can't
run code on the computer of whoever opens the file (staff export or open data alike).
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """`value` as CSV cell text, defused if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
