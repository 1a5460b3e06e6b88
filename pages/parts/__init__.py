"""Parts of page scripts that grew too long to read in one file (imported by a page, never run as
pages: Streamlit's legacy discovery only scans pages/*.py, not this folder).

``training_pool`` holds the server's one worker pool (shared by every page that trains);
``churn_training`` is the Churn ANN page's Train / Stop / progress section; ``boundary_data``
and ``boundary_live`` are the Decision boundary page's data sidebar and live fragment;
``language`` is the session's language and ``choice``; ``classroom`` the classroom links.
``churn_experiment`` is the Churn ANN page's Experiment section (seeds x settings, in the same pool).
``projector`` is the app's CSS that lets every page fit a classroom projector.
"""
