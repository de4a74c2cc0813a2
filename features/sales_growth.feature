Feature: Sales grow by 5% over last year
  销能办: each key enterprise's taxable sales are reported month by month, in yuan to
  the fen. Year-to-date growth through a month compares January to that month with the
  same months of last year. An enterprise with a month missing, or with no sales in
  the months of last year, is not assessable, and the report says why. The park's
  target is +5%. A month already reported can be corrected, but only with a reason,
  and its history keeps both figures.

  Background:
    Given it is now Mon 2026-04-06 10:00
    And these key enterprises:
      | name                  |
      | Hengfeng Auto Parts   |
      | Huaxin Pharmaceutical |
      | Xinyuan Materials     |
      | Qingyuan Textiles     |

  Scenario: Year-to-date growth against the +5% target
    Given these taxable sales in yuan:
      | enterprise            | 2025-01    | 2025-02    | 2025-03    | 2026-01    | 2026-02    | 2026-03    |
      | Hengfeng Auto Parts   | 1000000.00 | 1000000.00 | 1000000.00 | 1100000.00 | 1100000.00 | 1100000.00 |
      | Huaxin Pharmaceutical | 2000000.00 | 2000000.00 | 2000000.00 | 2040000.00 | 2040000.00 | 2040000.00 |
      | Xinyuan Materials     | 500000.00  |            | 500000.00  | 600000.00  | 600000.00  | 600000.00  |
      | Qingyuan Textiles     | 0.00       | 0.00       | 0.00       | 80000.00   | 80000.00   | 80000.00   |
    When the year-to-date growth through 2026-03 is reported
    Then the report reads:
      | enterprise            | growth                           | target |
      | Hengfeng Auto Parts   | +10.00%                          | met    |
      | Huaxin Pharmaceutical | +2.00%                           | missed |
      | Xinyuan Materials     | not assessable: missing 2025-02  |        |
      | Qingyuan Textiles     | not assessable: base is 0        |        |

  Scenario: A correction needs a reason
    Given Hengfeng Auto Parts reported 1000000.00 yuan of sales for 2026-03
    When the window corrects 2026-03 of Hengfeng Auto Parts to 1200000.00 yuan without a reason
    Then it is refused because a correction needs a reason
    And the sales of Hengfeng Auto Parts for 2026-03 are 1000000.00 yuan

  Scenario: A corrected month keeps both figures
    Given Hengfeng Auto Parts reported 1000000.00 yuan of sales for 2026-03
    When the window corrects 2026-03 of Hengfeng Auto Parts to 1200000.00 yuan because "税务系统回传数据更正"
    Then the sales of Hengfeng Auto Parts for 2026-03 are 1200000.00 yuan
    And the history of Hengfeng Auto Parts for 2026-03 shows 1000000.00 yuan, then 1200000.00 yuan because "税务系统回传数据更正"
