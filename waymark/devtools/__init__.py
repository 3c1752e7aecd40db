"""Development tooling, never part of a production node: ``make run`` (``devnode``), ``make network``
(``network``), the demo federation they load (``demo``) and ``manage.py exchange_demo``.

It sits above every app and nothing imports it. It is an installed app only outside production,
for its management command (settings.py).
"""
