"""Compute ages in full years."""

from datetime import date


def age_on(birth_date: date, as_of: date) -> int:
    """Return the number of full years lived on `as_of`.

    Someone born on 29 February becomes a year older on 1 March in common years, because
    (2, 28) sorts before (2, 29). If `as_of` precedes `birth_date` the result is negative,
    computed by the same rule; callers never pass such dates, since birth dates cannot lie
    in the future.
    """
    not_yet = (as_of.month, as_of.day) < (birth_date.month, birth_date.day)
    return as_of.year - birth_date.year - not_yet
