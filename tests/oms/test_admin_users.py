"""The staff-account admin: head office manages accounts, but only a superuser grants
superuser, staff status, groups or permissions (issue 7 §1.8)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from oms.models import Role
from oms.services.people import HEAD_OFFICE_GROUP, upsert_staff_user
from tests.oms.factories import PASSWORD

User = get_user_model()


def change_form_data(response) -> dict[str, object]:
    """What a browser would post back from an admin change page, unchanged: every
    editable field of the form and of its inlines, with their management forms."""
    data: dict[str, object] = {}
    forms = [response.context["adminform"].form]
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        forms.extend(formset.formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            value = form[name].value()
            if field.disabled or value is None:
                continue
            if isinstance(value, bool):
                if value:
                    data[form.add_prefix(name)] = "on"
                continue
            if isinstance(value, list | tuple):
                data[form.add_prefix(name)] = [str(v.pk if hasattr(v, "pk") else v) for v in value]
                continue
            data[form.add_prefix(name)] = value
    # The split date/time widgets post two parts.
    for name in ("last_login", "date_joined"):
        value = data.pop(name, None)
        if value:
            data[f"{name}_0"], data[f"{name}_1"] = value.strftime("%Y-%m-%d"), value.strftime("%H:%M:%S")
    return data


@pytest.fixture
def head_office_client(client, db):
    upsert_staff_user("ho", password=PASSWORD, role=Role.HEAD_OFFICE)
    assert client.login(username="ho", password=PASSWORD)
    return client


def privileges(username: str) -> tuple[bool, bool, list[str], list[str]]:
    user = User.objects.get(username=username)
    return (
        user.is_staff,
        user.is_superuser,
        sorted(user.groups.values_list("name", flat=True)),
        sorted(user.user_permissions.values_list("codename", flat=True)),
    )


def test_head_office_posting_its_own_form_with_superuser_on_stays_head_office(head_office_client):
    # given: the change form of head office's own account, as the page shows it
    me = User.objects.get(username="ho")
    url = reverse("admin:auth_user_change", args=[me.pk])
    page = head_office_client.get(url)
    assert page.status_code == 200
    data = change_form_data(page)
    # when: the privilege fields are forged into the post
    every_permission = [str(pk) for pk in Permission.objects.values_list("pk", flat=True)]
    data.update(
        {
            "is_superuser": "on",
            "is_staff": "on",
            "groups": [str(Group.objects.create(name="Everything").pk)],
            "user_permissions": every_permission,
            "first_name": "Henri",
        }
    )
    response = head_office_client.post(url, data)
    # then: the rest of the form is saved, the privileges are not
    assert response.status_code == 302
    assert privileges("ho") == (True, False, [HEAD_OFFICE_GROUP], [])
    assert User.objects.get(username="ho").first_name == "Henri"


def test_head_office_cannot_grant_privileges_to_another_account(head_office_client):
    # given: a member of customer service
    upsert_staff_user("cs", password=PASSWORD, role=Role.CUSTOMER_SERVICE)
    other = User.objects.get(username="cs")
    url = reverse("admin:auth_user_change", args=[other.pk])
    data = change_form_data(head_office_client.get(url))
    # when
    data.update(
        {
            "is_superuser": "on",
            "is_staff": "on",
            "groups": [str(Group.objects.get(name=HEAD_OFFICE_GROUP).pk)],
            "user_permissions": [str(Permission.objects.get(codename="change_user").pk)],
            "last_name": "Durand",
        }
    )
    response = head_office_client.post(url, data)
    # then
    assert response.status_code == 302
    assert privileges("cs") == (False, False, [], [])
    assert User.objects.get(username="cs").last_name == "Durand"


def test_head_office_sees_the_privileges_but_cannot_edit_them(head_office_client):
    me = User.objects.get(username="ho")
    form = head_office_client.get(reverse("admin:auth_user_change", args=[me.pk])).context["adminform"].form
    assert {"is_staff", "is_superuser", "groups", "user_permissions"} & set(form.fields) == set()
    assert {"username", "first_name", "last_name", "email", "is_active"} <= set(form.fields)


def test_head_office_cannot_change_a_superuser_account(head_office_client):
    # given: a superuser, whose password head office could otherwise reset
    root = User.objects.create_superuser("root", password=PASSWORD)
    password_hash = root.password
    # when
    page = head_office_client.get(reverse("admin:auth_user_change", args=[root.pk]))
    post = head_office_client.post(
        reverse("admin:auth_user_change", args=[root.pk]), {"username": "root", "is_active": ""}
    )
    reset = head_office_client.post(
        reverse("admin:auth_user_password_change", args=[root.pk]),
        {"password1": "another-horse-battery", "password2": "another-horse-battery"},
    )
    delete = head_office_client.post(reverse("admin:auth_user_delete", args=[root.pk]), {"post": "yes"})
    # then: head office reads it, changes nothing
    assert page.status_code == 200
    assert "adminform" in page.context and page.context["has_change_permission"] is False
    assert (post.status_code, reset.status_code, delete.status_code) == (403, 403, 403)
    root.refresh_from_db()
    assert (root.is_active, root.is_superuser, root.password) == (True, True, password_hash)


def test_a_superuser_still_grants_every_privilege(client, db):
    # given
    User.objects.create_superuser("root", password=PASSWORD)
    assert client.login(username="root", password=PASSWORD)
    upsert_staff_user("cs", password=PASSWORD, role=Role.CUSTOMER_SERVICE)
    other = User.objects.get(username="cs")
    url = reverse("admin:auth_user_change", args=[other.pk])
    data = change_form_data(client.get(url))
    # when
    data.update(
        {
            "is_superuser": "on",
            "is_staff": "on",
            "groups": [str(Group.objects.get_or_create(name=HEAD_OFFICE_GROUP)[0].pk)],
            "user_permissions": [str(Permission.objects.get(codename="change_user").pk)],
        }
    )
    response = client.post(url, data)
    # then
    assert response.status_code == 302
    assert privileges("cs") == (True, True, [HEAD_OFFICE_GROUP], ["change_user"])


def test_head_office_adds_an_account_without_privileges_whatever_it_posts(head_office_client):
    response = head_office_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newcomer",
            "usable_password": "true",
            "password1": "another-horse-battery",
            "password2": "another-horse-battery",
            "is_superuser": "on",
            "is_staff": "on",
            "groups": [str(Group.objects.get(name=HEAD_OFFICE_GROUP).pk)],
            "profile-TOTAL_FORMS": "1",
            "profile-INITIAL_FORMS": "0",
            "profile-MIN_NUM_FORMS": "0",
            "profile-MAX_NUM_FORMS": "1",
            "profile-0-role": "customer_service",
        },
    )
    assert response.status_code == 302
    assert privileges("newcomer") == (False, False, [], [])
