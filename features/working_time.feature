Feature: Deadlines run on the working clock
  The clock runs only in office hours (08:30–12:00 and 14:00–17:30) on working days
  of the official calendar, adjusted weekend workdays included. A matter received
  outside office hours waits for the next session. For "N working days" the day of
  the act is not counted, and the deadline is the close of office on the N-th
  working day after it. A deadline reaching a year whose calendar is not yet
  published is still set, on the statutory holidays, and marked provisional.

  Scenario Outline: Deadlines follow the published calendar of 2026
    Given the official calendar of 2026 is published
    And matters must be <rule>
    When a matter is <event> at <at>
    Then it is due by <deadline>
    And the deadline is firm

    Examples:
      | event    | at                   | rule                               | deadline             |
      | received | Wed 2026-09-30 16:00 | assigned within half a working day | Thu 2026-10-08 10:30 |
      | received | Fri 2026-02-13 16:00 | assigned within half a working day | Sat 2026-02-14 10:30 |
      | received | Sun 2026-03-01 09:00 | assigned within half a working day | Mon 2026-03-02 12:00 |
      | assigned | Wed 2026-09-30 10:00 | handled within 3 working days      | Sat 2026-10-10 17:30 |
      | assigned | Mon 2026-03-02 08:31 | handled within 3 working days      | Thu 2026-03-05 17:30 |

  Scenario: A deadline in a year without a published calendar is provisional
    Given the official calendar of 2031 is not yet published
    And matters must be handled within 1 working day
    When a matter is assigned at Tue 2031-09-30 10:00
    Then it is due by Mon 2031-10-06 17:30
    And the deadline is provisional

  Scenario: A deadline reaching into an unpublished year is provisional
    Given the official calendar of 2026 is published
    And the official calendar of 2027 is not yet published
    And matters must be assigned within half a working day
    When a matter is received at Thu 2026-12-31 16:00
    Then it is due by Mon 2027-01-04 10:30
    And the deadline is provisional
