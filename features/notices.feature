Feature: Commendations and criticisms are drawn up from the month's record and published
  通报: the month's record draws up notices in the register of a government 通报. A
  guarantor graded 优秀 is commended (通报表扬); one graded 不合格 is criticised (通报批评). A
  step still not done more than five working days after its deadline draws a criticism of
  the undertaking unit and of the enterprise's guarantors, and so does a dispatch slot that
  ended without a dispatch. Each notice names those it concerns and the events behind it.
  The supervision office (督查室) publishes them, each only once, and a published notice
  goes out to those it is addressed to.

  Background:
    Given it is now Sun 2026-03-01 09:00
    And these key enterprises:
      | name                |
      | Hengfeng Auto Parts |
      | Xinyuan Materials   |
    And these guarantors:
      | name           | kind       |
      | 张伟           | person     |
      | 王强           | person     |
      | 工业和信息化局 | department |
    And the Economic Development Bureau (经济发展局) is an undertaking unit

  Scenario: A guarantor graded 不合格 is criticised
    # 王强: assign on time, handle late, no visit: (30 × 50 + 10 × 0) / 40 = 37.50
    Given 王强 guarantees Xinyuan Materials as lead leader from 2026-01-01
    And these requests went to the Economic Development Bureau:
      | request  | enterprise        | raised               | assigned             | resolved             |
      | 用工招聘 | Xinyuan Materials | Mon 2026-03-02 09:00 | Mon 2026-03-02 10:00 | Mon 2026-03-09 10:00 |
    When the notices for March 2026 are drawn up on Wed 2026-04-15 10:00
    Then 王强 draws a criticism titled "关于2026年3月包保工作考核不合格的通报批评"
    And it says "王强在2026年3月包保工作中考核得分37.50分，等次为不合格。现予通报批评"
    And it is addressed to 王强
    And it cites the events of "用工招聘"
    And 王强 draws no commendation

  Scenario: A guarantor graded 优秀 is commended
    # 张伟: every step on time, one visit: (30 × 100 + 10 × 100) / 40 = 100.00
    Given 张伟 guarantees Hengfeng Auto Parts as lead leader from 2026-01-01
    And these requests went to the Economic Development Bureau:
      | request  | enterprise          | raised               | assigned             | resolved             |
      | 道路积水 | Hengfeng Auto Parts | Mon 2026-03-02 09:00 | Mon 2026-03-02 10:00 | Wed 2026-03-04 10:00 |
    And 张伟 visited Hengfeng Auto Parts at Fri 2026-03-06 10:00
    When the notices for March 2026 are drawn up on Wed 2026-04-15 10:00
    Then 张伟 draws a commendation titled "关于2026年3月包保工作考核优秀等次的通报表扬"
    And it says "张伟在2026年3月包保工作中履职尽责、成效明显，考核得分100.00分，等次为优秀。现予通报表扬"
    And it is addressed to 张伟
    And 张伟 draws no criticism

  Scenario: A step more than five working days overdue draws a criticism of the unit and the guarantors
    # handle due Thu 03-05 17:30, never done; the fifth working day after it ends Thu 03-12 17:30
    Given 张伟 guarantees Hengfeng Auto Parts as lead leader from 2026-01-01
    And 工业和信息化局 guarantees Hengfeng Auto Parts as department from 2026-01-01
    And these requests went to the Economic Development Bureau:
      | request  | enterprise          | raised               | assigned             | resolved |
      | 道路积水 | Hengfeng Auto Parts | Mon 2026-03-02 09:00 | Mon 2026-03-02 10:00 |          |
    When the notices for March 2026 are drawn up on Wed 2026-04-15 10:00
    Then the handle step of "道路积水" draws a criticism titled "关于企业诉求办理严重超期的通报批评"
    And it says "时限为2026年3月5日17:30，截至2026年3月12日17:30仍未完成，超期逾5个工作日"
    And it names the Economic Development Bureau, 张伟 and 工业和信息化局
    And it is addressed to the Economic Development Bureau, 张伟 and 工业和信息化局

  Scenario: A dispatch slot that ended without a dispatch draws a criticism
    Given 张伟 has been a deputy group leader since 2026-01-01
    And 张伟 held a dispatch at Thu 2026-03-05 15:00
    When the notices for March 2026 are drawn up on Wed 2026-04-15 10:00
    Then 张伟 draws a criticism for the dispatch slot from 2026-03-16 titled "关于未按规定召开调度会议的通报批评"
    And it says "张伟（领导小组副组长）在3月16日至3月31日期间未召开调度会议"
    And it is addressed to 张伟
    And 张伟 draws no criticism for the dispatch slot from 2026-03-01

  Scenario: The supervision office publishes a notice
    Given 张伟 guarantees Hengfeng Auto Parts as lead leader from 2026-01-01
    And 王强 guarantees Xinyuan Materials as lead leader from 2026-01-01
    And 张伟 visited Hengfeng Auto Parts at Fri 2026-03-06 10:00
    And the notices for March 2026 were drawn up on Wed 2026-04-15 10:00
    When the supervision office publishes the commendation of 张伟
    Then the notices for March 2026 list the commendation of 张伟 once, as published
    And the other notices of March 2026 are still drafts

  Scenario: A notice is published only once
    Given 张伟 guarantees Hengfeng Auto Parts as lead leader from 2026-01-01
    And 张伟 visited Hengfeng Auto Parts at Fri 2026-03-06 10:00
    And the notices for March 2026 were drawn up on Wed 2026-04-15 10:00
    And the supervision office published the commendation of 张伟
    When the supervision office publishes the commendation of 张伟
    Then it is refused because the notice is already published
    And the notices for March 2026 list the commendation of 张伟 once, as published

  Scenario: A published notice goes out to those it is addressed to
    Given 张伟 guarantees Hengfeng Auto Parts as lead leader from 2026-01-01
    And 张伟 visited Hengfeng Auto Parts at Fri 2026-03-06 10:00
    And the notices for March 2026 were drawn up on Wed 2026-04-15 10:00
    When the supervision office publishes the commendation of 张伟
    Then a message about the commendation awaits sending to 张伟
