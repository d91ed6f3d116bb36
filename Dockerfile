FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm postgresql-client \
    build-essential libldap2-dev libsasl2-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock package.json package-lock.json ./
RUN pip install --no-cache-dir -r requirements.lock && npm ci --no-audit --no-fund
COPY . .
RUN SECRET_KEY=build-only DEBUG=true python manage.py collectstatic --noinput -v 0
RUN useradd --create-home itsm && chown -R itsm /app
USER itsm
EXPOSE 8000
CMD ["gunicorn", "itsm.wsgi:application", "--config", "gunicorn.conf.py"]
