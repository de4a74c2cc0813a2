Feature: Guarantors answer for key enterprises
  Each key enterprise has guarantors: a lead leader, a guarantor department and
  liaisons, each serving from an effective date until released. Effective dates may lie
  in the past. An enterprise has one lead leader at a time: a second one is refused
  until the first is released, or the role is reassigned, which ends the first on the
  day before the second takes over. Who guaranteed an enterprise on any past date can
  always be answered.

  Background:
    Given it is now Tue 2026-06-30 10:00
    And Hengfeng Auto Parts is a key enterprise
    And these guarantors:
      | name                        | kind       |
      | Deputy Director Zhang       | person     |
      | Deputy Director Li          | person     |
      | Economic Development Bureau | department |

  Scenario: One lead leader at a time
    Given Deputy Director Zhang has been lead leader of Hengfeng Auto Parts since 2026-01-05
    When Deputy Director Li is made lead leader of Hengfeng Auto Parts from 2026-03-01
    Then it is refused because Deputy Director Zhang is still lead leader
    And on 2026-03-01 Hengfeng Auto Parts was guaranteed by Deputy Director Zhang as lead leader

  Scenario: A back-dated lead leader who would overlap the current one is refused
    Given Deputy Director Zhang has been lead leader of Hengfeng Auto Parts since 2026-01-05
    When Deputy Director Li is made lead leader of Hengfeng Auto Parts from 2025-12-01
    Then it is refused because Deputy Director Zhang is still lead leader

  Scenario: A released lead leader can be succeeded
    Given Deputy Director Zhang has been lead leader of Hengfeng Auto Parts since 2026-01-05
    And Deputy Director Zhang's last day as lead leader of Hengfeng Auto Parts was 2026-02-27
    When Deputy Director Li is made lead leader of Hengfeng Auto Parts from 2026-03-01
    Then on 2026-02-27 Hengfeng Auto Parts was guaranteed by Deputy Director Zhang as lead leader
    And on 2026-02-28 Hengfeng Auto Parts was guaranteed by nobody
    And on 2026-03-01 Hengfeng Auto Parts was guaranteed by Deputy Director Li as lead leader

  Scenario: Reassignment hands the role over in one act
    Given Deputy Director Zhang has been lead leader of Hengfeng Auto Parts since 2026-01-05
    When the lead leader of Hengfeng Auto Parts is reassigned to Deputy Director Li from 2026-03-01
    Then on 2026-02-28 Hengfeng Auto Parts was guaranteed by Deputy Director Zhang as lead leader
    And on 2026-03-01 Hengfeng Auto Parts was guaranteed by Deputy Director Li as lead leader

  Scenario Outline: Who guaranteed an enterprise on a past date
    Given Deputy Director Zhang has been lead leader of Hengfeng Auto Parts since 2026-01-05
    And Economic Development Bureau has been guarantor department of Hengfeng Auto Parts since 2026-02-01
    And the lead leader of Hengfeng Auto Parts was reassigned to Deputy Director Li from 2026-03-01
    When someone asks who guaranteed Hengfeng Auto Parts on <day>
    Then the answer is <guarantors>

    Examples:
      | day        | guarantors                                                                       |
      | 2026-01-04 | nobody                                                                           |
      | 2026-01-05 | Deputy Director Zhang as lead leader                                             |
      | 2026-02-28 | Deputy Director Zhang as lead leader, Economic Development Bureau as guarantor department |
      | 2026-03-01 | Deputy Director Li as lead leader, Economic Development Bureau as guarantor department    |
