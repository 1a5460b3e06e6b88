"""Activation functions: values, derivatives, softmax and vanishing gradients (Activations page).

Start with ``functions`` (the registry every page shares), then ``vanishing`` (the deep-stack
experiment) and ``figures`` (plotly figures of both).
"""
