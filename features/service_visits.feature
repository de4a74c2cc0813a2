Feature: Guarantors visit the enterprises they guarantee
  A guarantor records its visits (走访, 四送一服, 畅聊下午茶) to the enterprises it
  guarantees. A visit to an enterprise the guarantor did not guarantee on the day of
  the visit is refused. Each problem found on a visit becomes a matter, received when
  the visit is recorded, for the window to assign within the usual time limits.

  Background:
    Given it is now Wed 2026-03-04 10:00
    And Hengfeng Auto Parts is a key enterprise
    And Deputy Director Zhang is lead leader of Hengfeng Auto Parts from 2026-03-02

  Scenario: A visit on a day the guarantor did not guarantee the enterprise is refused
    When Deputy Director Zhang records a visit to Hengfeng Auto Parts on Sun 2026-03-01 15:00
    Then it is refused because Deputy Director Zhang did not guarantee Hengfeng Auto Parts that day
    And no visit is recorded

  Scenario: A visit on the day the assignment starts is accepted
    When Deputy Director Zhang records a visit to Hengfeng Auto Parts on Mon 2026-03-02 08:00
    Then the visit is recorded for Mon 2026-03-02 08:00

  Scenario: A problem found on a visit becomes a matter
    When Deputy Director Zhang records a visit to Hengfeng Auto Parts on Tue 2026-03-03 15:00, finding "厂区周边路灯损坏，夜间通勤不安全" (基础设施)
    Then the visit is recorded for Tue 2026-03-03 15:00
    And a matter "厂区周边路灯损坏，夜间通勤不安全" of Hengfeng Auto Parts is received from the visit
    And it must be assigned by Wed 2026-03-04 15:30
