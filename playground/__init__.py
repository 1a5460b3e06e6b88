"""Pure logic behind the Neural Network Playground.

Nothing in this package imports streamlit. Importing the package itself is
cheap: modules that need TensorFlow/Keras import it lazily, inside the
functions that build or train a model, and those run in worker processes
(see ``playground.workers`` and ``playground.churn.jobs``): a server never imports it.
"""
