from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed names once collectstatic has run (make serve); plain names before.

    Development and the test suite serve straight from the apps' static folders, where no
    manifest exists yet: falling back to the plain name keeps `{% static %}` from failing there.
    """

    manifest_strict = False

    def stored_name(self, name):
        if not self.hashed_files:
            return name
        return super().stored_name(name)
