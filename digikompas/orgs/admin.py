from django.contrib import admin

from digikompas.orgs.models import Library, Municipality, Person, Region, RoleGrant


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "region", "population"]
    list_filter = ["region"]
    search_fields = ["name", "code"]


@admin.register(Library)
class LibraryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "municipality", "kind"]
    list_filter = ["kind", "municipality__region"]
    search_fields = ["name", "code", "municipality__name"]
    list_select_related = ["municipality"]


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0
    autocomplete_fields = ["library", "municipality"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "library", "job_role"]
    list_filter = ["job_role", "library__municipality__region"]
    search_fields = ["name", "email", "library__name"]
    list_select_related = ["library"]
    autocomplete_fields = ["library"]
    raw_id_fields = ["user"]
    inlines = [RoleGrantInline]
