# Neural Network Playground as a container image: one Streamlit server (one replica).
#
#   docker build -t playground .
#   docker run --init -p 8501:8501 --cpus 2 --memory 2200m -e PLAYGROUND_WORKERS=2 playground
#
# Several replicas behind a load balancer need session affinity: see deploy/nginx.conf and the
# README section "Deploy: one container, or several replicas". Nothing is written to the image
# at run time (uploads stay in memory) except the class board's SQLite file in /app/data, a
# volume: `-v playground-data:/app/data` keeps the classes across restarts, and with it (or with
# PLAYGROUND_DATABASE_URL) `--read-only --tmpfs /tmp` works too.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The pinned requirements first, so code changes do not reinstall TensorFlow.
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

# Only the app's own files: no tests, data, models or CSVs (and .dockerignore keeps them out
# of the build context as well). Owned by root, so the app user cannot change them.
COPY app.py ./
COPY assets/ assets/
COPY .streamlit/ .streamlit/
COPY pages/ pages/
COPY playground/ playground/

# A user without a home or a login; Keras keeps its small config file in /tmp.
RUN useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin playground \
    && mkdir /app/data && chown playground /app/data
VOLUME ["/app/data"]
USER playground

# Settings (environment variables) and their defaults:
# PLAYGROUND_WARMUP=1        start the training workers (each imports TensorFlow) as the server
#                            starts (0: only when someone first presses Train; a very small container)
# PLAYGROUND_WORKERS=2       training worker processes of this server (1 core and ~700 MB each;
#                            the app's default is the number of cores seen, which inside a
#                            container is the host's, not --cpus: set it to match --cpus; max 4)
# PLAYGROUND_WORKER_MAX_MB=1500  a worker whose resident memory grows past it is replaced
#                            after its training (a fresh one warms up at once).
# PLAYGROUND_DATABASE_URL    the class board's database; replicas must share one PostgreSQL
#                            (postgresql://user:password@host/database). Not set: the SQLite
#                            file /app/data/playground.sqlite3 (one replica only).
# PLAYGROUND_CLASS_HOURS=12  a class and every row in it are deleted this many hours after it starts.
ENV PLAYGROUND_WARMUP=1 \
    PLAYGROUND_WORKERS=2 \
    PLAYGROUND_WORKER_MAX_MB=1500 \
    KERAS_HOME=/tmp/keras \
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false

EXPOSE 8501

# Streamlit's own health endpoint answers "ok" once the server is up (slim images have no curl).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() != b'ok')"]

CMD ["python", "-m", "streamlit", "run", "app.py", "--server.address", "0.0.0.0", "--server.port", "8501", "--server.headless", "true"]
