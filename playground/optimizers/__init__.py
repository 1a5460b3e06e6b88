"""Optimizers racing on loss surfaces (Optimizers page).

Start with ``rules`` (numpy update rules equal to ``keras.optimizers``) and ``surfaces`` (the loss
surfaces), then ``race`` (many runs at once), ``presets`` (the page's view state and lessons) and
``figures`` (animated contour, 3D and loss figures).
"""
