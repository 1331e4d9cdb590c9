"""The migration that makes membership a state treats every existing claim as unchecked."""
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@pytest.mark.django_db(transaction=True)
def test_existing_claims_become_requests_waiting_in_the_queue():
    executor = MigrationExecutor(connection)
    executor.migrate([("hub", "0002_roles")])
    old = executor.loader.project_state([("hub", "0002_roles")]).apps
    organisation = old.get_model("hub", "Organisation").objects.create(name="IOM", stakeholder_group="un_entity")
    user = old.get_model("hub", "User").objects.create(username="richard", email="richard@example.org")
    old.get_model("hub", "Profile").objects.create(user=user, display_name="Richard", organisation=organisation)
    nobody = old.get_model("hub", "User").objects.create(username="nobody", email="nobody@example.org")
    old.get_model("hub", "Profile").objects.create(user=nobody, display_name="")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    from hub.models import Membership, Profile

    claimed = Profile.objects.get(user_id=user.pk)
    assert claimed.membership == Membership.REQUESTED and claimed.membership_requested_at is not None
    assert not claimed.membership_confirmed
    assert Profile.objects.get(user_id=nobody.pk).membership_requested_at is None
