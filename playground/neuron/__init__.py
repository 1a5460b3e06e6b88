"""One neuron, the perceptron rule and backpropagation with every number (Neuron & backprop page).

Start with ``perceptron`` (one neuron, Rosenblatt's rule, layer parameter counts), then
``backprop`` (the 2-H-1 network's forward and backward pass) and ``figures`` (the diagrams).
"""
