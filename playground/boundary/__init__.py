"""Decision boundary (the Decision boundary page): a small network carving up the plane, live.

Start with ``datasets`` (the 2-D data sets, drawn and uploaded points, CSV in and out) and
``features`` (the seven input features), then ``network`` (the numpy engine: forward, backward,
one epoch of mini-batch training, equal to Keras), ``session`` (a training run with its history
and snapshots, as the page keeps it), ``settings`` (the page's widget keys, defaults and URL
parsing), ``presets`` (one lesson each), ``live`` (the page's live view: the component's sources,
the data it gets and the checks on what it sends back), ``export`` (the Keras script and the
weights as JSON) and ``train`` (the command line). Pure numpy: no streamlit, no tensorflow.

The live view itself runs in the browser: ``web/`` holds its ES modules (``engine.js`` and
``features.js``, the numpy engine again in JavaScript; ``draw.js`` the maps, links and loss curve;
``live.js`` the glue with Streamlit) and its HTML and CSS.
"""
