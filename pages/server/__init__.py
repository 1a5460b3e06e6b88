"""Resources that exist once per server process and are shared by every session.

``app.py`` starts them after the first page has rendered: ``training_pool`` the pool of training
worker processes (``playground.workers``), ``housekeeping`` the periodic garbage collection.
Start reading at ``training_pool``.
"""
