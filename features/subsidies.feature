Feature: No-application subsidies (免申即享) for exhibitions and the 精品安徽 promotion
  塑品牌: the park supports its enterprises' exhibitions and promotion. An above-scale (四上)
  enterprise that takes part in an exhibition organised by the province, the city or the park
  (省、市、园区统一组织) is granted up to 50% of its fee — never more, so half a fen is not
  paid — and at most 300,000 yuan a year for exhibitions. For the 精品安徽 CCTV promotion the
  park pays 100% of what the enterprise still pays itself after the province and city
  subsidies. Each enterprise's branding subsidies come to at most 2,000,000 yuan a year; the
  exhibition cap applies first, then the branding cap, in the order the subsidies arise, and a
  subsidy that finds a cap used up is still granted, at 0, so that the enterprise sees why.
  The year is the year the exhibition or promotion was held.
  Nobody applies: recording the fact grants the subsidy, and a leader approves it within 3
  working days (审批总时限3个工作日), reminded one working day before; a missed approval is
  reported to the supervision office.

  Background:
    Given it is now Mon 2026-03-02 09:00
    And Hengfeng Auto Parts is a key enterprise

  Scenario: An above-scale enterprise is granted half its exhibition fee without applying
    When the window records that Hengfeng Auto Parts took part in "亳州药博会" organised by the city on 2026-02-10, paying 120000.00 yuan
    Then Hengfeng Auto Parts is granted 60000.00 yuan without applying
    And the grant is not capped
    And the grant is to be approved by Thu 2026-03-05 17:30

  Scenario: Half a fen is not paid
    When the window records that Hengfeng Auto Parts took part in "网上年货节" organised by the park on 2026-02-10, paying 1000.01 yuan
    Then Hengfeng Auto Parts is granted 500.00 yuan without applying

  Scenario: An enterprise that is not above scale is refused
    Given Huaxin Trading is a key enterprise that is not above scale (四上)
    When the window records that Huaxin Trading took part in "亳州药博会" organised by the city on 2026-02-10, paying 120000.00 yuan
    Then it is refused because the enterprise is not above scale (四上)
    And nothing is granted to Huaxin Trading for 2026

  Scenario: An exhibition organised by anyone else is refused
    When the window records that Hengfeng Auto Parts took part in "汽配行业协会年会" organised by a trade association on 2026-02-10, paying 120000.00 yuan
    Then it is refused because the exhibition was not organised by the province, the city or the park
    And nothing is granted to Hengfeng Auto Parts for 2026

  Scenario: An enterprise that stops being above scale keeps what it was granted
    Given the window recorded that Hengfeng Auto Parts took part in "亳州药博会" organised by the city on 2026-02-10, paying 100000.00 yuan
    And Hengfeng Auto Parts is no longer above scale (四上)
    When the window records that Hengfeng Auto Parts took part in "世界制造业大会" organised by the province on 2026-02-20, paying 100000.00 yuan
    Then it is refused because the enterprise is not above scale (四上)
    And Hengfeng Auto Parts was granted 50000.00 yuan in 2026 in all

  Scenario: An exhibition that reaches the 300,000 yuan cap exactly is paid in full
    Given the window recorded that Hengfeng Auto Parts took part in "世界制造业大会" organised by the province on 2026-01-10, paying 599999.98 yuan
    When the window records that Hengfeng Auto Parts took part in "亳州药博会" organised by the city on 2026-02-10, paying 0.02 yuan
    Then Hengfeng Auto Parts is granted 0.01 yuan without applying
    And the grant is not capped

  Scenario: One fen over the 300,000 yuan exhibition cap is not paid
    Given the window recorded that Hengfeng Auto Parts took part in "世界制造业大会" organised by the province on 2026-01-10, paying 600000.00 yuan
    When the window records that Hengfeng Auto Parts took part in "亳州药博会" organised by the city on 2026-02-10, paying 0.02 yuan
    Then Hengfeng Auto Parts is granted 0.00 yuan without applying
    And the grant is capped, with 0.00 yuan left of the exhibition cap

  Scenario: The exhibition cap starts again with the year of the exhibition
    Given it is now Mon 2027-01-04 09:00
    And the window recorded that Hengfeng Auto Parts took part in "网上年货节" organised by the park on 2026-12-31, paying 600000.00 yuan
    When the window records that Hengfeng Auto Parts took part in "亳州药博会" organised by the city on 2027-01-01, paying 600000.00 yuan
    Then Hengfeng Auto Parts is granted 300000.00 yuan without applying
    And the grant is not capped

  Scenario: The park pays what remains of the 精品安徽 CCTV promotion
    When the window records that Hengfeng Auto Parts ran the 精品安徽 CCTV promotion on 2026-02-20 costing 3000000.00 yuan, of which the province paid 1000000.00 yuan and the city 500000.00 yuan
    Then Hengfeng Auto Parts is granted 1500000.00 yuan without applying

  Scenario: Province and city subsidies above the cost are refused
    When the window records that Hengfeng Auto Parts ran the 精品安徽 CCTV promotion on 2026-02-20 costing 1000000.00 yuan, of which the province paid 600000.00 yuan and the city 400000.01 yuan
    Then it is refused because the subsidies exceed the cost
    And nothing is granted to Hengfeng Auto Parts for 2026

  Scenario: Branding subsidies are capped at 2,000,000 yuan a year
    Given the window recorded that Hengfeng Auto Parts ran the 精品安徽 CCTV promotion on 2026-01-20 costing 1900000.00 yuan, of which the province paid 0.00 yuan and the city 0.00 yuan
    When the window records that Hengfeng Auto Parts took part in "亳州药博会" organised by the city on 2026-02-10, paying 400000.00 yuan
    Then Hengfeng Auto Parts is granted 100000.00 yuan without applying
    And the grant is capped, with 100000.00 yuan left of the branding cap

  Scenario: A year where the caps bite
    Given it is now Wed 2026-07-01 09:00
    And these were recorded for Hengfeng Auto Parts:
      | held on    | kind       | name              | organiser | paid       | province paid | city paid |
      | 2026-01-10 | exhibition | 合肥家博会        | province  | 400000.00  |               |           |
      | 2026-03-15 | exhibition | 亳州药博会        | city      | 300000.00  |               |           |
      | 2026-04-20 | promotion  | 精品安徽·央视宣传 |           | 2500000.00 | 500000.00     | 200000.00 |
      | 2026-06-01 | exhibition | 园区产品展销会    | park      | 100000.00  |               |           |
    When the grants of Hengfeng Auto Parts for 2026 are listed
    Then they read:
      | name              | share      | granted    | capped by      |
      | 合肥家博会        | 200000.00  | 200000.00  |                |
      | 亳州药博会        | 150000.00  | 100000.00  | exhibition cap |
      | 精品安徽·央视宣传 | 1800000.00 | 1700000.00 | branding cap   |
      | 园区产品展销会    | 50000.00   | 0.00       | exhibition cap |
    And Hengfeng Auto Parts was granted 2000000.00 yuan in 2026 in all

  Scenario: A leader approves within 3 working days
    Given Hengfeng Auto Parts was granted an exhibition subsidy at Mon 2026-03-02 09:00
    When a leader approves it at Thu 2026-03-05 17:00
    Then it is approved on time

  Scenario: An approval after the deadline is recorded as late
    Given Hengfeng Auto Parts was granted an exhibition subsidy at Mon 2026-03-02 09:00
    When a leader approves it at Fri 2026-03-06 09:00
    Then it is approved late, after its deadline of Thu 2026-03-05 17:30

  Scenario: A subsidy is approved once
    Given Hengfeng Auto Parts was granted an exhibition subsidy at Mon 2026-03-02 09:00
    And a leader approved it at Tue 2026-03-03 10:00
    When a leader approves it at Wed 2026-03-04 10:00
    Then it is refused because it is already approved

  Scenario: The leaders are reminded when one working day remains
    Given Hengfeng Auto Parts was granted an exhibition subsidy at Mon 2026-03-02 09:00
    When the approvals are looked at on Thu 2026-03-05 09:00
    Then the approval is recorded as reminded
    And the leaders are notified: "审批时限将于3月5日17:30届满，请及时审批"
    And the supervision office is not notified

  Scenario: A missed approval is reported to the supervision office, once
    Given Hengfeng Auto Parts was granted an exhibition subsidy at Mon 2026-03-02 09:00
    And the approvals were looked at on Fri 2026-03-06 09:00
    When the approvals are looked at on Fri 2026-03-06 10:00
    Then nothing new is recorded
    And the approval was recorded as missed
    And the supervision office is notified: "超期督办：免申即享补贴"
