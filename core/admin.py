from django.contrib import admin

from .models import AuditEntry, Partnership


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not Partnership.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_label", "action", "target_label")
    list_filter = ("action",)
    search_fields = ("actor_label", "target_label", "action")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
