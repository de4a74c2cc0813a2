Feature: Guarantors are scored each month under scoring policy v1
  考核: a guarantor (a leader or a department) answers for the enterprises it covered in the
  month, each in proportion to the days it covered it. Sales growth against the +5% target
  counts 40, the timeliness of the deadline steps 30, the enterprises' ratings 20 and the
  guarantor's service visits 10. A component with nothing to count is left out and the
  weights of the others are rescaled. A step still not done five working days after its
  deadline costs 2 points; a dispatch slot that ended without a dispatch costs 5. The score
  is rounded half-up to the cent and graded 优秀 (90), 良好 (75), 合格 (60) or 不合格.
  People and departments are ranked apart, and equal scores share a rank.

  Background:
    Given it is now Sun 2026-03-01 09:00
    And these key enterprises:
      | name                  |
      | Hengfeng Auto Parts   |
      | Huaxin Pharmaceutical |
      | Xinyuan Materials     |
    And these guarantors:
      | name           | kind       |
      | 张伟           | person     |
      | 李娜           | person     |
      | 王强           | person     |
      | 工业和信息化局 | department |
    And the Economic Development Bureau (经济发展局) is an undertaking unit

  Scenario: A month's score worked out by hand from the policy text
    # Both enterprises were covered all 31 days of March, so each weighs 1.
    # Sales (40): YTD growth of the portfolio, January to March 2026 over January to March 2025:
    #   G = (3,060,000 + 1,560,000) / (3,000,000 + 1,500,000) − 1 = 4,620,000 / 4,500,000 − 1
    #     = 2/75 (+2.67%);  value = 100 × min(1, (2/75) / 0.05) = 100 × 8/15 = 53.333…
    # Timeliness (30): the steps due in March —
    #   道路积水: assign due Mon 03-02 14:30, done 10:00 (on time);
    #             handle due Thu 03-05 17:30, done Wed 03-04 (on time);
    #   电力增容: assign due Tue 03-10 14:30, done 11:00 (on time);
    #             handle due Fri 03-13 17:30, done Mon 03-16 (late);
    #             rectify (after the rating of 2 on Tue 03-17) due Tue 03-24 17:30,
    #             done Mon 03-23 (on time)
    #   value = 100 × 4/5 = 80
    # Satisfaction (20): ratings 5, 2 and 4, of which 2 are 3 or more: 100 × 2/3 = 66.666…
    # Service (10): 1 visit over a summed weight of 2: 100 × min(1, 1/2) = 50
    # score = (40 × 160/3 + 30 × 80 + 20 × 200/3 + 10 × 50) / (40 + 30 + 20 + 10)
    #       = (2,133.333… + 2,400 + 1,333.333… + 500) / 100 = 6,366.666… / 100
    #       = 63.666… → 63.67, graded 合格
    Given 张伟 guarantees Hengfeng Auto Parts as lead leader from 2026-01-01
    And 张伟 guarantees Huaxin Pharmaceutical as lead leader from 2026-01-01
    And these taxable sales in yuan:
      | enterprise            | 2025-01    | 2025-02    | 2025-03    | 2026-01    | 2026-02    | 2026-03    |
      | Hengfeng Auto Parts   | 1000000.00 | 1000000.00 | 1000000.00 | 1020000.00 | 1020000.00 | 1020000.00 |
      | Huaxin Pharmaceutical | 500000.00  | 500000.00  | 500000.00  | 520000.00  | 520000.00  | 520000.00  |
    And these requests went to the Economic Development Bureau:
      | request  | enterprise            | raised               | assigned             | resolved             |
      | 道路积水 | Hengfeng Auto Parts   | Mon 2026-03-02 09:00 | Mon 2026-03-02 10:00 | Wed 2026-03-04 10:00 |
      | 电力增容 | Huaxin Pharmaceutical | Tue 2026-03-10 09:00 | Tue 2026-03-10 11:00 | Mon 2026-03-16 10:00 |
    And Hengfeng Auto Parts rated "道路积水" 5 at Thu 2026-03-05 10:00
    And Huaxin Pharmaceutical rated "电力增容" 2 at Tue 2026-03-17 10:00
    And the Economic Development Bureau resolved "电力增容" again at Mon 2026-03-23 10:00
    And Huaxin Pharmaceutical rated "电力增容" 4 at Wed 2026-03-25 10:00
    And 张伟 visited Hengfeng Auto Parts at Fri 2026-03-06 10:00
    When HR asks for the March 2026 assessment on Wed 2026-04-15 10:00
    Then 张伟 scores 63.67 and is graded 合格
    And the components of the score of 张伟 are:
      | sales | timeliness | satisfaction | service |
      | 53.33 | 80.00      | 66.67        | 50.00   |
    And the sales of the portfolio of 张伟 grew 2.67% year to date
    And 4 of the 5 deadline steps counted for 张伟 were on time
    And 2 of the 3 ratings counted for 张伟 were 3 or more

  Scenario: A component with nothing to count is left out and the rest rescaled
    # No sales were reported and no request was rated: sales and satisfaction are left out.
    # timeliness: assign on time, handle due Thu 03-05 17:30 done Mon 03-09 (late) → 50
    # service: 1 visit, weight 1 → 100
    # score = (30 × 50 + 10 × 100) / (30 + 10) = 2,500 / 40 = 62.50
    Given 张伟 guarantees Hengfeng Auto Parts as lead leader from 2026-01-01
    And these requests went to the Economic Development Bureau:
      | request  | enterprise          | raised               | assigned             | resolved             |
      | 道路积水 | Hengfeng Auto Parts | Mon 2026-03-02 09:00 | Mon 2026-03-02 10:00 | Mon 2026-03-09 10:00 |
    And 张伟 visited Hengfeng Auto Parts at Fri 2026-03-06 10:00
    When HR asks for the March 2026 assessment on Wed 2026-04-15 10:00
    Then 张伟 scores 62.50 and is graded 合格
    And the components of the score of 张伟 are:
      | sales    | timeliness | satisfaction | service |
      | left out | 50.00      | left out     | 100.00  |
    And nothing was deducted from 张伟

  Scenario: A step still not done five working days after its deadline costs 2 points
    # handle due Thu 03-05 17:30; five working days after it: 6, 9, 10, 11, 12 March, so
    # the step is counted at the end of Thu 03-12 (17:30); it was done only on Mon 03-16.
    # (30 × 50 + 10 × 100) / 40 = 62.50, less 2 = 60.50
    Given 张伟 guarantees Hengfeng Auto Parts as lead leader from 2026-01-01
    And these requests went to the Economic Development Bureau:
      | request  | enterprise          | raised               | assigned             | resolved             |
      | 道路积水 | Hengfeng Auto Parts | Mon 2026-03-02 09:00 | Mon 2026-03-02 10:00 | Mon 2026-03-16 10:00 |
    And 张伟 visited Hengfeng Auto Parts at Fri 2026-03-06 10:00
    When HR asks for the March 2026 assessment on Wed 2026-04-15 10:00
    Then 张伟 scores 60.50 and is graded 合格
    And 2 points are deducted from 张伟 because the handle step of "道路积水" was still not done on Thu 2026-03-12 17:30

  Scenario: A dispatch slot that ended without a dispatch costs 5 points
    # 张伟 is a deputy group leader: a dispatch is due in each half of the month. He held one
    # on 5 March and none from 16 to 31 March.
    # service: 1 visit, weight 1 → 100; nothing else to count; 100 − 5 = 95.00
    Given 张伟 guarantees Hengfeng Auto Parts as lead leader from 2026-01-01
    And 张伟 has been a deputy group leader since 2026-01-01
    And 张伟 held a dispatch at Thu 2026-03-05 15:00
    And 张伟 visited Hengfeng Auto Parts at Fri 2026-03-06 10:00
    When HR asks for the March 2026 assessment on Wed 2026-04-15 10:00
    Then 张伟 scores 95.00 and is graded 优秀
    And 5 points are deducted from 张伟 because no dispatch was held from 2026-03-16 to 2026-03-31

  Scenario: Equal scores share a rank, and departments are ranked apart from people
    # 张伟 and 李娜: (30 × 100 + 10 × 100) / 40 = 100.00 each;
    # 王强: handle step late, no visit: (30 × 50 + 10 × 0) / 40 = 37.50;
    # 工业和信息化局: the steps of Hengfeng, no visit: (30 × 100 + 10 × 0) / 40 = 75.00
    Given 张伟 guarantees Hengfeng Auto Parts as lead leader from 2026-01-01
    And 李娜 guarantees Huaxin Pharmaceutical as lead leader from 2026-01-01
    And 王强 guarantees Xinyuan Materials as lead leader from 2026-01-01
    And 工业和信息化局 guarantees Hengfeng Auto Parts as department from 2026-01-01
    And these requests went to the Economic Development Bureau:
      | request  | enterprise            | raised               | assigned             | resolved             |
      | 道路积水 | Hengfeng Auto Parts   | Mon 2026-03-02 09:00 | Mon 2026-03-02 10:00 | Wed 2026-03-04 10:00 |
      | 电力增容 | Huaxin Pharmaceutical | Mon 2026-03-02 09:00 | Mon 2026-03-02 10:00 | Wed 2026-03-04 10:00 |
      | 用工招聘 | Xinyuan Materials     | Mon 2026-03-02 09:00 | Mon 2026-03-02 10:00 | Mon 2026-03-09 10:00 |
    And 张伟 visited Hengfeng Auto Parts at Fri 2026-03-06 10:00
    And 李娜 visited Huaxin Pharmaceutical at Fri 2026-03-06 10:00
    When HR asks for the March 2026 assessment on Wed 2026-04-15 10:00
    Then the people rank:
      | rank | name | score  | grade  |
      | 1    | 张伟 | 100.00 | 优秀   |
      | 1    | 李娜 | 100.00 | 优秀   |
      | 3    | 王强 | 37.50  | 不合格 |
    And the departments rank:
      | rank | name           | score | grade |
      | 1    | 工业和信息化局 | 75.00 | 良好  |

  Scenario: A guarantor reassigned in the middle of the month answers only for its days
    # Hengfeng passes from 张伟 to 李娜 on 16 March: 张伟 covers it 15 of 31 days, 李娜 16.
    # 张伟 also covers Huaxin all month: summed weight 15/31 + 31/31 = 46/31.
    # 张伟: steps of 道路积水 (due 2 and 5 March, both on time) → 100;
    #       1 visit / (46/31) = 31/46 → service 67.391…;
    #       (30 × 100 + 10 × 3,100/46) / 40 = 3,673.913… / 40 = 91.847… → 91.85
    # 李娜: steps of 电力增容 (assign due Wed 03-18 14:30 on time; handle due Mon 03-23 17:30,
    #       done Wed 03-25: late) → 50; 1 visit / (16/31) capped at 1 → 100;
    #       (30 × 50 + 10 × 100) / 40 = 62.50
    Given 张伟 guarantees Hengfeng Auto Parts as lead leader from 2026-01-01
    And 张伟 guarantees Huaxin Pharmaceutical as lead leader from 2026-01-01
    And these requests went to the Economic Development Bureau:
      | request  | enterprise          | raised               | assigned             | resolved             |
      | 道路积水 | Hengfeng Auto Parts | Mon 2026-03-02 09:00 | Mon 2026-03-02 10:00 | Wed 2026-03-04 10:00 |
      | 电力增容 | Hengfeng Auto Parts | Wed 2026-03-18 09:00 | Wed 2026-03-18 10:00 | Wed 2026-03-25 10:00 |
    And 张伟 visited Hengfeng Auto Parts at Fri 2026-03-06 10:00
    And on Mon 2026-03-16 09:00 Hengfeng Auto Parts passed from 张伟 to 李娜 as lead leader from 2026-03-16
    And 李娜 visited Hengfeng Auto Parts at Fri 2026-03-20 10:00
    When HR asks for the March 2026 assessment on Wed 2026-04-15 10:00
    Then 张伟 is counted for 15 of the 31 days of Hengfeng Auto Parts
    And 李娜 is counted for 16 of the 31 days of Hengfeng Auto Parts
    And 2 of the 2 deadline steps counted for 张伟 were on time
    And 1 of the 2 deadline steps counted for 李娜 were on time
    And 张伟 scores 91.85 and is graded 优秀
    And 李娜 scores 62.50 and is graded 合格

  Scenario: An enterprise with no sales in the base year is left out of sales, with the reason
    # Xinyuan Materials reported no sales for 2025: its growth cannot be computed.
    # Hengfeng alone: 3,150,000 / 3,000,000 − 1 = +5.00%, the target: sales 100.
    # service: 1 visit over a summed weight of 2 → 50;
    # (40 × 100 + 10 × 50) / (40 + 10) = 4,500 / 50 = 90.00
    Given 张伟 guarantees Hengfeng Auto Parts as lead leader from 2026-01-01
    And 张伟 guarantees Xinyuan Materials as lead leader from 2026-01-01
    And these taxable sales in yuan:
      | enterprise          | 2025-01    | 2025-02    | 2025-03    | 2026-01    | 2026-02    | 2026-03    |
      | Hengfeng Auto Parts | 1000000.00 | 1000000.00 | 1000000.00 | 1050000.00 | 1050000.00 | 1050000.00 |
      | Xinyuan Materials   |            |            |            | 800000.00  | 800000.00  | 800000.00  |
    And 张伟 visited Hengfeng Auto Parts at Fri 2026-03-06 10:00
    When HR asks for the March 2026 assessment on Wed 2026-04-15 10:00
    Then Xinyuan Materials is left out of the sales of 张伟 because "missing 2025-01, 2025-02, 2025-03"
    And the sales of the portfolio of 张伟 grew 5.00% year to date
    And 张伟 scores 90.00 and is graded 优秀
