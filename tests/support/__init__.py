"""What the tests share, one home per concept (no test module imports another test module).

- processes: `beat-sync` and `manage.py` run as real processes, and the environment they get;
  a process run without root's power to read any file.
- databases: the test database as a DATABASE_URL, and the environments (fixtures among them,
  registered by tests/conftest.py) of processes using a database; apply's lock held from
  another connection.
- tables: a full dump and checksum of django-celery-beat's tables; rows beat writes itself.
- manifests: manifests written to disk, from a two-task one to generated thousands.
- samples: TaskState values of every kind and field; the Celery schedule a state means.
- servers: whether a server (PostgreSQL, Redis) answers on a TCP port.
- mail: an email backend whose SMTP server fails the first N sends.
"""
