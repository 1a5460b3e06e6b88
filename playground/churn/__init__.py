"""The tutorial's bank-churn Keras network (Churn ANN page and ``python -m playground.churn.train``).

Start with ``data`` (CSV checks, synthetic data, preprocessing), then ``model`` (the Keras network,
imported lazily) and ``train`` (the live loop and the command-line trainer); ``jobs`` runs trainings
and experiments in the worker pool's processes (``playground.workers``), so a server never imports Keras.
``metrics`` computes the scores in numpy; ``presets``, ``keras_script`` and ``figures`` serve the page.
``experiment`` trains several settings over the same seeds (``engine.train_stacked``) and compares
them with ``stats`` (paired t-test).
"""
