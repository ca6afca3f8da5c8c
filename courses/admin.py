from django.contrib import admin

from .models import Category, Course, TrainingPoolMembership


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "position")
    prepopulated_fields = {"slug": ("name",)}


class TrainingPoolInline(admin.TabularInline):
    model = TrainingPoolMembership
    extra = 0
    autocomplete_fields = ("facilitator",)


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("title", "level", "audience", "format", "status", "expected", "active")
    list_filter = ("status", "format", "level", "audience", "category", "active")
    search_fields = ("title", "summary")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [TrainingPoolInline]
