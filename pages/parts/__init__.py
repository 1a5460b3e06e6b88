"""Sections of long pages, each imported by its one page (never run as pages: Streamlit's legacy
discovery only scans pages/*.py, not this folder).

``churn_training`` is the Churn ANN page's Train / Stop / progress section and
``churn_experiment`` its Experiment section (seeds x settings); ``boundary_data`` and
``boundary_live`` are the Decision boundary page's data sidebar and live view;
``optimizers_endings`` the Optimizers page's count of where runs end over 50 seeds.

What every page wears lives in ``pages/shell/``; what runs once per server process in
``pages/server/``.
"""
