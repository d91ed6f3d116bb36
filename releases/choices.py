from django.db import models


class ReleaseStatus(models.TextChoices):
    PLANNING = "planning", "Planning"
    BUILD = "build", "Build"
    TEST = "test", "Test"
    DEPLOY = "deploy", "Deploy"
    HYPERCARE = "hypercare", "Hypercare"
    CLOSED = "closed", "Closed"
