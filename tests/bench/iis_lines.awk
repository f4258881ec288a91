# The benchmarks' IIS data: an Exchange front end's W3C header, then `n` realistic requests (OWA,
# EWS, ActiveSync, MAPI; 1 in 7 a POST, 1 in 11 a 302). With `shell=1`, one ProxyLogon web-shell
# request sits in the middle. Used by run.sh and hunt_bench.sh:
#   awk -v n=1000000 [-v shell=1] -f tests/bench/iis_lines.awk > u_ex210305.log
BEGIN {
  print "#Software: Microsoft Internet Information Services 10.0"; print "#Version: 1.0"
  print "#Date: 2021-03-05 00:00:00"
  print "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"
  split("/owa/auth/logon.aspx /EWS/Exchange.asmx /Microsoft-Server-ActiveSync/default.eas /owa/service.svc /mapi/emsmdb/", p, " ")
  for (i = 0; i < n; i++) {
    if (shell && i == int(n / 2))
      print "2021-03-05 03:30:00 10.1.0.5 POST /owa/auth/RedirSuiteServerProxy.aspx - 443 - 203.0.113.50 python-requests/2.25.1 - 200 0 0 31"
    printf "2021-03-05 03:%02d:%02d 10.1.0.5 %s %s &CorrelationID=<empty>;&cafeReqId=cde28fc4-299e-4179-b3e9-%012d;&encoding=; 443 CORP\\user%d 10.20.%d.%d Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/88.0.4324.182+Safari/537.36 - %d 0 0 %d\n",
      int(i/60)%60, i%60, (i%7==0?"POST":"GET"), p[i%5+1], i, i%500, i%200, i%250, (i%11==0?302:200), i%900
  }
}
