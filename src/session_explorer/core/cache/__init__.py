"""The persistent index: what a later launch needs to skip work already done.

:mod:`.store` keeps entries in SQLite in the user's cache directory (never in the
logs directory); :mod:`.fingerprint` says whether a file is still the one an entry
was made from, and how much of it is the same.
"""
