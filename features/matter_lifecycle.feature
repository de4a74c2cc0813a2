Feature: Enterprise requests are handled within their time limits
  The window assigns a request within half a working day of receiving it. The unit it
  is assigned to has 3 working days to resolve it, and a transfer gives the new unit 3
  fresh working days. Only the unit holding a request may ask for more time, only
  before its deadline and never beyond 30 working days after the first assignment; the
  leader in charge approves or rejects. The enterprise rates each resolution: a rating
  of 1 or 2 sends the request back to the same unit for rectification within 5 working
  days.

  Background:
    Given Hengfeng Auto Parts is a key enterprise
    And the Economic Development Bureau and the Housing Bureau are undertaking units

  Scenario: A request assigned in time and resolved in time
    Given Hengfeng Auto Parts raised a request at Wed 2026-09-30 16:00
    And the window assigned it to the Economic Development Bureau at Thu 2026-10-08 09:00
    When the Economic Development Bureau resolves it at Mon 2026-10-12 16:00
    Then the request is resolved
    And it was assigned in time, by Thu 2026-10-08 10:30
    And it was resolved in time, by Mon 2026-10-12 17:30

  Scenario: A request resolved after its deadline is resolved late
    Given Hengfeng Auto Parts raised a request at Mon 2026-03-02 09:00
    And the window assigned it to the Economic Development Bureau at Mon 2026-03-02 10:00
    When the Economic Development Bureau resolves it at Fri 2026-03-06 09:00
    Then the request is resolved
    And it was resolved late, after Thu 2026-03-05 17:30

  Scenario: An extension asked after the deadline is refused
    Given Hengfeng Auto Parts raised a request at Mon 2026-03-02 09:00
    And the window assigned it to the Economic Development Bureau at Mon 2026-03-02 10:00
    When the Economic Development Bureau asks at Fri 2026-03-06 09:00 for more time until Fri 2026-03-20 17:30
    Then the extension is refused because the deadline has passed
    And the request is due by Thu 2026-03-05 17:30

  Scenario: An extension beyond the 30-working-day cap is refused
    Given Hengfeng Auto Parts raised a request at Mon 2026-03-02 09:00
    And the window assigned it to the Economic Development Bureau at Mon 2026-03-02 10:00
    When the Economic Development Bureau asks at Tue 2026-03-03 09:00 for more time until Wed 2026-04-15 17:30
    Then the extension is refused because it goes beyond the cap of Tue 2026-04-14 17:30
    And the request is due by Thu 2026-03-05 17:30

  Scenario: An approved extension moves the deadline
    Given Hengfeng Auto Parts raised a request at Mon 2026-03-02 09:00
    And the window assigned it to the Economic Development Bureau at Mon 2026-03-02 10:00
    And the Economic Development Bureau asked at Tue 2026-03-03 09:00 for more time until Tue 2026-04-14 17:30
    When the leader in charge approves the extension at Tue 2026-03-03 11:00
    Then the request is due by Tue 2026-04-14 17:30
    And the request counts as major and complex

  Scenario: A rejected extension leaves the deadline where it was
    Given Hengfeng Auto Parts raised a request at Mon 2026-03-02 09:00
    And the window assigned it to the Economic Development Bureau at Mon 2026-03-02 10:00
    And the Economic Development Bureau asked at Tue 2026-03-03 09:00 for more time until Fri 2026-03-20 17:30
    When the leader in charge rejects the extension at Tue 2026-03-03 11:00
    Then the request is due by Thu 2026-03-05 17:30

  Scenario: A bad rating sends the request back for rectification
    Given Hengfeng Auto Parts raised a request at Mon 2026-03-02 09:00
    And the window assigned it to the Economic Development Bureau at Mon 2026-03-02 10:00
    And the Economic Development Bureau resolved it at Wed 2026-03-04 15:00
    When Hengfeng Auto Parts rates the outcome 2 at Thu 2026-03-05 10:00
    Then the request is back with the Economic Development Bureau for rectification
    And the request is due by Thu 2026-03-12 17:30

  Scenario: A good rating closes the request
    Given Hengfeng Auto Parts raised a request at Mon 2026-03-02 09:00
    And the window assigned it to the Economic Development Bureau at Mon 2026-03-02 10:00
    And the Economic Development Bureau resolved it at Wed 2026-03-04 15:00
    When Hengfeng Auto Parts rates the outcome 4 at Thu 2026-03-05 10:00
    Then the request is closed

  Scenario: A transfer gives the new unit three fresh working days
    Given Hengfeng Auto Parts raised a request at Mon 2026-03-02 09:00
    And the window assigned it to the Economic Development Bureau at Mon 2026-03-02 10:00
    When the Economic Development Bureau transfers it to the Housing Bureau at Wed 2026-03-04 11:00
    Then the request is with the Housing Bureau
    And the request is due by Mon 2026-03-09 17:30
    And it must still be resolved by Tue 2026-04-14 17:30 at the latest
