from django.contrib import admin
from workplan.models import GcmObjective, InterestExpression, Priority, Workplan, WorkingGroup

admin.site.register([GcmObjective, InterestExpression, Priority, Workplan, WorkingGroup])
