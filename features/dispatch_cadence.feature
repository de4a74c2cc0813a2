Feature: The leading group holds dispatches on a fixed cadence
  The leading group's members are people already registered as guarantors. The group
  leader (组长) must hold at least one dispatch meeting (调度) in every calendar month;
  each deputy group leader (副组长) in every half-month, the 1st to the 15th and the 16th
  to the end of the month. Days are Beijing days. A month or half-month only partly
  within a member's time in office is not required of them. One that ends without a
  dispatch is a missed dispatch. Every directive issued at a dispatch becomes a request
  assigned to an undertaking unit, which has the usual 3 working days to resolve it.

  Background:
    Given these people are guarantors: Director Zhang, Deputy Director Li, Deputy Director Wang
    And Hengfeng Auto Parts is a key enterprise

  Scenario: A group leader who held no dispatch in a month missed it
    Given Director Zhang has been group leader since 2026-01-01
    When the dispatches of 2026-03 are reviewed at Wed 2026-04-01 09:00
    Then for 2026-03-01 to 2026-03-31 Director Zhang has a missed dispatch

  Scenario: A month still running is not yet missed
    Given Director Zhang has been group leader since 2026-01-01
    When the dispatches of 2026-03 are reviewed at Tue 2026-03-31 23:59
    Then for 2026-03-01 to 2026-03-31 Director Zhang is still due to hold one

  Scenario: A deputy who held one on the 15th and none from the 16th missed the second half
    Given Deputy Director Li has been deputy group leader since 2026-01-01
    And Deputy Director Li held a dispatch on Hengfeng Auto Parts at Sun 2026-03-15 23:30
    When the dispatches of 2026-03 are reviewed at Wed 2026-04-01 09:00
    Then for 2026-03-01 to 2026-03-15 Deputy Director Li held a dispatch
    And for 2026-03-16 to 2026-03-31 Deputy Director Li has a missed dispatch

  Scenario: A deputy appointed on the 10th is not required to hold one in the first half
    Given Deputy Director Wang has been deputy group leader since 2026-03-10
    And Deputy Director Wang held a dispatch on Hengfeng Auto Parts at Fri 2026-03-20 10:00
    When the dispatches of 2026-03 are reviewed at Wed 2026-04-01 09:00
    Then for 2026-03-01 to 2026-03-15 Deputy Director Wang was not required to hold one
    And for 2026-03-16 to 2026-03-31 Deputy Director Wang held a dispatch
    And Deputy Director Wang missed no dispatch in 2026-03

  Scenario: Only a member of the leading group in office that day can hold a dispatch
    Given Deputy Director Wang has been deputy group leader since 2026-03-10
    When Deputy Director Wang holds a dispatch on Hengfeng Auto Parts at Mon 2026-03-09 15:00
    Then it is refused because Deputy Director Wang was not a member of the leading group that day

  Scenario: A directive becomes a request assigned to its unit with 3 working days
    Given Director Zhang has been group leader since 2026-01-01
    And the Economic Development Bureau is an undertaking unit
    When Director Zhang holds a dispatch at Mon 2026-03-02 09:00 directing the Economic Development Bureau to settle the land quota of Hengfeng Auto Parts
    Then Hengfeng Auto Parts has a request from the dispatch, assigned to the Economic Development Bureau
    And the Economic Development Bureau must resolve it by Thu 2026-03-05 17:30
