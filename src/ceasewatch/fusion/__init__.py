"""Fusion: from raw observations to located incidents with honest uncertainty.

``acoustic`` associates picks into located events (time difference of arrival); the rest of the
stage pairs launches with impacts and merges the other sources into incidents.
"""
