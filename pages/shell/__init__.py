"""The app's shell: what every page wears, run on every page run of every session.

``language`` is the session's language, ``gettext`` and ``choice`` (translated choices whose id
lives in the URL); ``classroom`` the teacher's classroom links (controls fixed and hidden);
``projector`` the CSS that lets every page fit a classroom projector. The guard that sends a deep
link through ``app.py`` is ``pages.use_app_shell``.
"""
