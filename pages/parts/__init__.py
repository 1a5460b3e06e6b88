"""Parts of page scripts that grew too long to read in one file (Streamlit does not scan this folder).

``training_pool`` holds the server's one worker pool (shared by every page that trains);
``churn_training`` is the Churn ANN page's Train / Stop / progress section.
"""
