# syntax=docker/dockerfile:1
# One image for the Support Crew services of compose.yaml (store, worker, service, chroma): the
# `support-crew` command with the project's pinned dependencies and the CPU build of torch.
FROM python:3.11.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SUPPORT_CREW_DATA_DIR=/data

# The CPU build of torch first: otherwise sentence-transformers pulls the CUDA build and its
# libraries, gigabytes these containers never use.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

WORKDIR /app

# The pinned dependencies in a layer of their own, read from pyproject.toml: a change of the code
# alone does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

COPY . .
RUN pip install --no-deps . && rm -rf build ./*.egg-info

# No service needs root. /data belongs to the user, so a named volume mounted there does too.
RUN useradd --create-home --uid 10001 crew && mkdir -p /data && chown crew:crew /data
USER crew
WORKDIR /data

EXPOSE 8000 8700
CMD ["support-crew", "--help"]
