from coverage.demo.facilitateurs import main

raise SystemExit(main())
