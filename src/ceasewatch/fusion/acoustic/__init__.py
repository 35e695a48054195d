"""Acoustic association and location: picks → located sound events (time difference of arrival).

The design is in docs/fusion.md and docs/adr/0008-acoustic-association.md. In short:

1. :mod:`.array` — the sensors, each with its neighbours in its own azimuthal-equidistant frame
   (metres, exact geodesic distances from the sensor), so a 1,400 km line needs no single
   projection.
2. :mod:`.seeds` — every triple of picks at three nearby sensors whose time differences fit the
   distances is solved in closed form for (x, y, t₀): one or two candidate sources.
3. :mod:`.score` — each candidate is scored by a likelihood ratio over all sensors in reach: picks
   that fit the predicted arrival (against the sensor's background pick rate) and sensors that
   should have heard it but did not.
4. :mod:`.greedy` — the best candidates are taken first (lazily re-scored when a rival took some
   of their picks), refined by weighted least squares (:mod:`.locate`) with the covariance that
   gives the 95 % ellipse.
5. :mod:`.clock` — sensors whose picks sit at a constant offset from the located events are
   found, their offset removed and their weight lowered; the association then runs again.
"""
