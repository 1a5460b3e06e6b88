"""The tutorial's bank-churn Keras network (the Churn ANN page, ``python -m playground.churn.train``
and ``python -m playground.churn.experiment``).

Where to start reading, one concern per module:

- ``data``: CSV checks, synthetic data, preprocessing; ``model``: what a network, its fit
  settings and a run are (``RunStatus``), its weights and Keras file (Keras imported lazily);
- ``engine``: the training itself, a whole epoch per compiled call, one model or many stacked;
  ``train``: the training API on prepared data (``train_prepared``, ``score_on_test``);
- ``session``: one browser session's runs (the page's run table);
- ``jobs``: trainings and experiments as jobs of the worker pool (``playground.workers``): the
  server side, which never imports Keras, and the worker side;
- experiments over seeds: ``fields`` (what a setting may change: one registry for widgets, URL
  and CLI), ``experiment`` (settings, seeds, the result and its statistics from ``stats``),
  ``runner`` (trains them, the settings that share a network in one ``engine.train_stacked``
  call, and reports structured progress), ``report`` (verdicts in words, tables, CSV, JSON);
- ``cli``: both command lines (``train`` and ``experiment`` keep the ``python -m`` entry points);
- ``metrics`` computes the scores in numpy; ``presets``, ``keras_script`` and ``figures`` serve the page.
"""
