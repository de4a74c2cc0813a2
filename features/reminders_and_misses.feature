Feature: Deadlines remind the unit before they pass and report it when they are missed
  When one working day of working time remains before a deadline, the one holding the step
  is reminded (限时办结提醒). When the deadline passes with the step not done, the step is
  overdue (超期): the unit and the supervision office are told. The system notices this
  with time, not by anyone's command; each reminder and each miss is recorded once,
  however often the deadlines are looked at, and each message is sent once.

  Background:
    Given Hengfeng Auto Parts is a key enterprise
    And the Economic Development Bureau (经济发展局) is an undertaking unit
    And Hengfeng Auto Parts raised a request at Wed 2026-09-30 09:00
    And the window assigned it to the Economic Development Bureau at Wed 2026-09-30 10:00

  Scenario: No reminder while more than a working day remains
    When the deadlines are looked at on Fri 2026-10-09 17:00
    Then nothing is recorded
    And no one is notified

  Scenario: The unit is reminded when one working day remains
    When the deadlines are looked at on Sat 2026-10-10 09:00
    Then the handling deadline of Sat 2026-10-10 17:30 is recorded as reminded
    And the Economic Development Bureau is notified: "办理时限将于10月10日17:30届满，请及时办结"
    And the supervision office is not notified

  Scenario: A missed deadline is reported to the unit and to the supervision office
    Given the deadlines were looked at on Sat 2026-10-10 09:00
    When the deadlines are looked at on Mon 2026-10-12 09:00
    Then the handling deadline of Sat 2026-10-10 17:30 is recorded as missed
    And the Economic Development Bureau is notified: "办理时限已于10月10日17:30届满，现已超期"
    And the supervision office is notified: "经济发展局承办的诉求"

  Scenario: Looking again records nothing new and sends nothing twice
    Given the deadlines were looked at on Mon 2026-10-12 09:00
    And the notifications were sent
    When the deadlines are looked at on Mon 2026-10-12 09:00
    And the notifications are sent
    Then nothing is recorded
    And every message was sent exactly once
